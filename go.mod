module github.com/ikmbot/ikmbot

go 1.26.8
